import { LOCAL_PROFILE, maskKeyId, maskSecret } from '../../config/profiles.js';
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
          { key: 'AccessKeyId', header: 'ACCESS KEY ID' },
          { key: 'AccessKeySecret', header: 'SECRET' },
          { key: 'StsToken', header: 'STS' },
          { key: 'Region', header: 'REGION' },
          { key: 'Endpoint', header: 'ENDPOINT' },
          { key: 'Output', header: 'OUTPUT' },
        ],
      },
    };
  },
});
