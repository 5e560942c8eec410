module meetmock.local/clients

go 1.22

require github.com/larksuite/oapi-sdk-go/v3 v3.7.1
