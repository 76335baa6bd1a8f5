import type { TdmClient } from '@tdm/sdk';
import { CliError, EXIT } from '../exit-codes.ts';

/** A connection given by name or id → its id. */
export async function resolveConnection(client: TdmClient, nameOrId: string): Promise<string> {
  const all = await client.connections.list();
  const hit = all.find((c) => c.id === nameOrId || c.name === nameOrId);
  if (!hit) {
    const known = all.map((c) => c.name).join(', ') || 'none';
    throw new CliError('NOT_FOUND', `no connection named ${JSON.stringify(nameOrId)} (registered: ${known})`, EXIT.API_ERROR);
  }
  return hit.id;
}
