"""Test helpers for meetmock (a mock of Tencent Meeting, Feishu/Lark VC, DingTalk and Huawei Cloud
Meeting): start or attach to the server, a tenant of one's own per test, the admin API wrapped,
and a pytest plugin (`meetmock`, `meetmock_server`, `<vendor>_tenant` fixtures).

    from meetmock import Meetmock, MeetmockServer
    with MeetmockServer.start() as server:
        t = Meetmock(server).tenant("feishu")
"""

from .admin import Admin, AdminError
from .journal import describe
from .server import MeetmockServer, find_binary
from .session import Meetmock
from .tenant import VENDORS, Tenant, template

__all__ = ["Admin", "AdminError", "Meetmock", "MeetmockServer", "Tenant", "VENDORS", "describe",
           "find_binary", "template"]
__version__ = "0.1.0"
