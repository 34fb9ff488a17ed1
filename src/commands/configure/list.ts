import { LOCAL_PROFILE, maskKeyId, maskSecret, type Profile, profileMode } from '../../config/profiles.js';
import { defineCommand } from '../define.js';
import { openStore } from './shared.js';

export default defineCommand({
  async run(ctx) {
    const store = await openStore(ctx);
    const current = store.current;
    const profiles = store.names().map((name) => {
      const p = store.get(name);
      return {
        Name: name,
        Current: name === current,
        Mode: p ? profileMode(p) : '',
        Role: p ? roleOf(p) : '',
        AccessKeyId: maskKeyId(p?.accessKeyId),
        AccessKeySecret: maskSecret(p?.accessKeySecret),
        StsToken: p?.securityToken ? 'yes' : 'no',
        Region: p?.region ?? '',
        Endpoint: p?.endpoint ?? '',
        Output: p?.output ?? '',
      };
    });
    profiles.push({
      Name: LOCAL_PROFILE,
      Current: current === LOCAL_PROFILE,
      Mode: 'local',
      Role: '',
      AccessKeyId: '(built-in)',
      AccessKeySecret: '',
      StsToken: 'no',
      Region: '',
      Endpoint: '(in-process emulator)',
      Output: '',
    });
    return {
      data: { Profiles: profiles },
      view: {
        listField: 'Profiles',
        columns: [
          { key: 'Current', header: ' ', format: (v) => (v ? '*' : '') },
          { key: 'Name', header: 'NAME' },
          { key: 'Mode', header: 'MODE' },
          { key: 'AccessKeyId', header: 'ACCESS KEY ID' },
          { key: 'AccessKeySecret', header: 'SECRET' },
          { key: 'StsToken', header: 'STS' },
          { key: 'Role', header: 'ROLE / SOURCE', flex: true },
          { key: 'Region', header: 'REGION' },
          { key: 'Endpoint', header: 'ENDPOINT' },
          { key: 'Output', header: 'OUTPUT' },
        ],
      },
    };
  },
});

/** What a profile of a temporary mode gets its credentials from (no secret): the role, the source, the URI's host, the command's program. */
function roleOf(p: Profile): string {
  switch (profileMode(p)) {
    case 'RamRoleArn':
    case 'OIDC':
      return p.ramRoleArn ?? '';
    case 'ChainableRamRoleArn':
      return `${p.ramRoleArn ?? ''} (from ${p.sourceProfile ?? '?'})`;
    case 'EcsRamRole':
      return p.ramRoleName ?? '(discovered)';
    case 'CredentialsURI': {
      try {
        const u = new URL(p.credentialsUri ?? '');
        return `${u.protocol}//${u.host}${u.pathname}`;
      } catch {
        return '';
      }
    }
    case 'External':
      return (p.processCommand ?? '').trim().split(/\s+/)[0] ?? '';
    default:
      return '';
  }
}
