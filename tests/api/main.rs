//! The integration test binary: every behaviour over real HTTP against an in-process server
//! on 127.0.0.1:0. One module per area; `common` holds `TestApp` and helpers.

mod cli;
mod common;
mod credentials_unique;
mod dingtalk;
mod faults_actions;
mod faults_cli;
mod faults_common;
mod faults_control;
mod faults_equality;
mod faults_library;
mod faults_network;
mod feishu;
mod feishu_gateway;
mod feishu_invite;
mod feishu_meetings;
mod feishu_reports;
mod feishu_tokens;
mod foundation;
mod huawei;
mod huawei_control;
mod huawei_invite;
mod huawei_login;
mod huawei_meetings;
mod isolation_admin;
mod isolation_clients;
mod isolation_hostile;
mod isolation_hostile_auth;
mod isolation_matrix;
mod isolation_network;
mod isolation_panic;
mod lifecycle;
mod tencent;
mod tencent_invitees;
mod tencent_meetings;
