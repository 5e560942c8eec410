package tencent

// Request and response models with the JSON tags and Go types of the official Go SDK v1.0.8
// (service/*/model.go), restricted to the fields these tests use. Requests keep the SDK's
// `omitempty` choices, since they decide what goes on the wire.

type userRef struct {
	Userid string `json:"userid"`
}

// meetings.V1MeetingsPostRequest: start/end are strings and not omitempty (a quick meeting
// sends "").
type createBody struct {
	EndTime    string          `json:"end_time"`
	Guests     []guestIn       `json:"guests,omitempty"`
	Instanceid int64           `json:"instanceid"`
	Invitees   []userRef       `json:"invitees,omitempty"`
	Settings   *createSettings `json:"settings,omitempty"`
	StartTime  string          `json:"start_time"`
	Subject    string          `json:"subject"`
	Type       int64           `json:"type"`
	Userid     string          `json:"userid"`
}

type createSettings struct {
	AutoInWaitingRoom *bool `json:"auto_in_waiting_room,omitempty"`
	MuteEnableJoin    *bool `json:"mute_enable_join,omitempty"`
}

// meetings.V1MeetingsMeetingIdInviteesPutRequest.
type inviteesBody struct {
	Instanceid int64     `json:"instanceid"`
	Invitees   []userRef `json:"invitees,omitempty"`
	Userid     string    `json:"userid"`
}

// meetings.V1MeetingsMeetingIdCancelPostRequest.
type cancelBody struct {
	Instanceid int64  `json:"instanceid"`
	ReasonCode int64  `json:"reason_code"`
	Userid     string `json:"userid"`
}

// meeting_control.V1MeetingsMeetingIdDismissPostRequest.
type dismissBody struct {
	Instanceid     int64  `json:"instanceid"`
	OperatorId     string `json:"operator_id"`
	OperatorIdType int64  `json:"operator_id_type"`
	ReasonCode     int64  `json:"reason_code"`
}

// meeting_control.V1RealControlMeetingsMeetingIdStatusPutRequest.
type statusBody struct {
	AutoWaitingRoom *bool   `json:"auto_waiting_room,omitempty"`
	Instanceid      int64   `json:"instanceid"`
	MeetingLocked   *bool   `json:"meeting_locked,omitempty"`
	OperatorId      *string `json:"operator_id,omitempty"`
	OperatorIdType  *int64  `json:"operator_id_type,omitempty"`
}

// meeting_control target (mutes user, waiting-room users).
type target struct {
	Instanceid       int64   `json:"instanceid"`
	ToOperatorId     *string `json:"to_operator_id,omitempty"`
	ToOperatorIdType *int64  `json:"to_operator_id_type,omitempty"`
	Uuid             *string `json:"uuid,omitempty"`
}

type mutesBody struct {
	Instanceid     int64   `json:"instanceid"`
	Mute           bool    `json:"mute"`
	OperatorId     *string `json:"operator_id,omitempty"`
	OperatorIdType *int64  `json:"operator_id_type,omitempty"`
	User           target  `json:"user"`
}

type renameIn struct {
	Instanceid int64   `json:"instanceid"`
	MsOpenId   string  `json:"ms_open_id"`
	NickName   *string `json:"nick_name,omitempty"`
}

type namesBody struct {
	Instanceid     int64      `json:"instanceid"`
	OperatorId     string     `json:"operator_id"`
	OperatorIdType int64      `json:"operator_id_type"`
	Users          []renameIn `json:"users"`
}

type waitingRoomBody struct {
	AllowRejoin    *bool    `json:"allow_rejoin,omitempty"`
	Instanceid     int64    `json:"instanceid"`
	OperateType    int64    `json:"operate_type"`
	OperatorId     *string  `json:"operator_id,omitempty"`
	OperatorIdType *int64   `json:"operator_id_type,omitempty"`
	Users          []target `json:"users"`
}

// meeting_guest.V1GuestsMeetingIdPutRequest: `guests` has no omitempty (nil → null).
type guestIn struct {
	Area        string  `json:"area"`
	GuestName   *string `json:"guest_name,omitempty"`
	PhoneNumber string  `json:"phone_number"`
}

type guestsBody struct {
	Guests     []guestIn `json:"guests"`
	Instanceid int64     `json:"instanceid"`
	Userid     string    `json:"userid"`
}

// user_manager.V1UsersPostRequest / V1UsersPutRequest.
type userPost struct {
	EntryTime       *int64 `json:"entry_time,omitempty"`
	OperatorId      string `json:"operator_id"`
	OperatorIdType  int64  `json:"operator_id_type"`
	Phone           string `json:"phone"`
	UserAccountType *int64 `json:"user_account_type,omitempty"`
	Userid          string `json:"userid"`
	Username        string `json:"username"`
}

type userPut struct {
	OperatorId     string  `json:"operator_id"`
	OperatorIdType int64   `json:"operator_id_type"`
	Username       *string `json:"username,omitempty"`
}

// Answers.
type inviteesPut struct {
	UserNonRegistered []string `json:"user_non_registered,omitempty"`
}

type inviteesGet struct {
	HasRemaining *bool  `json:"has_remaining,omitempty"`
	NextPos      *int64 `json:"next_pos,omitempty"`
	Invitees     []struct {
		Userid   *string `json:"userid,omitempty"`
		NickName *string `json:"nick_name,omitempty"`
	} `json:"invitees,omitempty"`
}

type meetingInfo struct {
	Subject      *string `json:"subject,omitempty"`
	MeetingId    *string `json:"meeting_id,omitempty"`
	MeetingCode  *string `json:"meeting_code,omitempty"`
	Status       *string `json:"status,omitempty"`
	Type         *int64  `json:"type,omitempty"`
	MeetingType  *int64  `json:"meeting_type,omitempty"`
	StartTime    *string `json:"start_time,omitempty"`
	EndTime      *string `json:"end_time,omitempty"`
	JoinUrl      *string `json:"join_url,omitempty"`
	NeedPassword *bool   `json:"need_password,omitempty"`
	Hosts        []struct {
		Userid *string `json:"userid,omitempty"`
	} `json:"hosts,omitempty"`
	Participants []struct {
		Userid *string `json:"userid,omitempty"`
	} `json:"participants,omitempty"`
	Settings *struct {
		AutoInWaitingRoom *bool `json:"auto_in_waiting_room,omitempty"`
		MuteEnableJoin    *bool `json:"mute_enable_join,omitempty"`
	} `json:"settings,omitempty"`
	UserNonRegistered []string `json:"user_non_registered,omitempty"`
}

type meetings struct {
	MeetingNumber   *int64        `json:"meeting_number,omitempty"`
	MeetingInfoList []meetingInfo `json:"meeting_info_list,omitempty"`
}

type liveParticipant struct {
	Userid     *string `json:"userid,omitempty"`
	MsOpenId   *string `json:"ms_open_id,omitempty"`
	UserName   *string `json:"user_name,omitempty"`
	Instanceid *int64  `json:"instanceid,omitempty"`
	JoinTime   *string `json:"join_time,omitempty"`
	UserRole   *int64  `json:"user_role,omitempty"`
	AudioState *bool   `json:"audio_state,omitempty"`
}

type realTime struct {
	MeetingId    *string           `json:"meeting_id,omitempty"`
	Status       *string           `json:"status,omitempty"`
	TotalCount   *int64            `json:"total_count,omitempty"`
	TotalPage    *int64            `json:"total_page,omitempty"`
	CurrentPage  *int64            `json:"current_page,omitempty"`
	CurrentSize  *int64            `json:"current_size,omitempty"`
	Participants []liveParticipant `json:"participants,omitempty"`
}

type waitingNow struct {
	TotalCount        *int64 `json:"total_count,omitempty"`
	ScheduleStartTime *int64 `json:"schedule_start_time,omitempty"`
	Participants      []struct {
		Userid     *string `json:"userid,omitempty"`
		UserName   *string `json:"user_name,omitempty"`
		MsOpenId   *string `json:"ms_open_id,omitempty"`
		Instanceid *int64  `json:"instanceid,omitempty"`
		Uuid       *string `json:"uuid,omitempty"`
	} `json:"participants,omitempty"`
}

type waitingRecords struct {
	TotalCount        *int64 `json:"total_count,omitempty"`
	ScheduleStartTime *int64 `json:"schedule_start_time,omitempty"`
	Participants      []struct {
		Userid     *string `json:"userid,omitempty"`
		Instanceid *string `json:"instanceid,omitempty"`
		JoinTime   *int64  `json:"join_time,omitempty"`
		LeftTime   *int64  `json:"left_time,omitempty"`
	} `json:"participants,omitempty"`
}

type guestsGet struct {
	MeetingId *string `json:"meeting_id,omitempty"`
	Guests    []struct {
		Area        *string `json:"area,omitempty"`
		GuestName   *string `json:"guest_name,omitempty"`
		PhoneNumber *string `json:"phone_number,omitempty"`
	} `json:"guests,omitempty"`
}

type userDetail struct {
	Userid          *string `json:"userid,omitempty"`
	Username        *string `json:"username,omitempty"`
	Status          *string `json:"status,omitempty"`
	EntryTime       *string `json:"entry_time,omitempty"`
	UserAccountType *int64  `json:"user_account_type,omitempty"`
	PhoneStatus     *int64  `json:"phone_status,omitempty"`
	Uuid            *string `json:"uuid,omitempty"`
}

type userList struct {
	TotalCount  *int64       `json:"total_count,omitempty"`
	CurrentSize *int64       `json:"current_size,omitempty"`
	CurrentPage *int64       `json:"current_page,omitempty"`
	PageSize    *int64       `json:"page_size,omitempty"`
	Users       []userDetail `json:"users,omitempty"`
}

type history struct {
	TotalCount      *int64 `json:"total_count,omitempty"`
	MeetingInfoList []struct {
		MeetingId *string `json:"meeting_id,omitempty"`
		StartTime *int64  `json:"start_time,omitempty"`
		EndTime   *int64  `json:"end_time,omitempty"`
	} `json:"meeting_info_list,omitempty"`
}
