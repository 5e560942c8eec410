module meetmock.local/clients

go 1.22
