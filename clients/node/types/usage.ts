// Compiled by `tsc --noEmit` (npm test): the declarations in src/index.d.ts describe real usage.
import { Meetmock, MeetmockServer, Tenant, useMeetmock, type JournalEntry } from 'meetmock';

declare const hooks: Parameters<typeof useMeetmock>[0];

export async function usage(): Promise<number> {
  const handle = useMeetmock(hooks, { args: ['--no-demo'] });
  const server: MeetmockServer = await MeetmockServer.start({ adminToken: 't' });
  const mm: Meetmock = handle.meetmock ?? new Meetmock(server);
  const t: Tenant = await mm.tenant('feishu', { behaviours: [] });
  const code: string = await t.loginCode();
  const entries: JournalEntry[] = await t.assertCount(1, { operation: 'meeting.invite', status: 200 });
  await mm.advance({ seconds: 5 });
  await t.addFault({ match: { operation: 'meeting.invite' }, error: 'meeting_is_locked' });
  await server.stop();
  return entries.length + code.length + t.meetings.live.length;
}
