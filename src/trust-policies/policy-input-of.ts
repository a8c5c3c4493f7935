import { ConnectionEntity } from '../connections/connection.entity';
import { roleOf } from '../connections/connection-rules';
import { PolicyInput } from './render';

/** The renderers' input for a role-assuming connection. */
export function policyInputOf(row: ConnectionEntity, principal: string): PolicyInput {
  const role = roleOf(row.provider, row.roleArn as string);
  return {
    provider: row.provider,
    region: row.region,
    role: { accountId: role.accountId, roleName: role.roleName, ...(role.partition ? { partition: role.partition } : {}) },
    principal,
    // Both ids during an overlapping rotation, so the role keeps working while the customer updates it.
    externalIds: [row.externalId as string, ...(row.nextExternalId ? [row.nextExternalId] : [])],
    functions: {
      namespace: row.functions.namespace,
      codeBucket: row.functions.codeBucket,
      capabilities: row.functions.capabilities,
      executionRoleArn: row.functions.executionRoleArn,
    },
  };
}
