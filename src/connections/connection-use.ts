import type { ConnectionEntity, FunctionCapability } from './connection.entity';
import { TetherError } from '../common/problem/tether-error';

/**
 * A connection whose role can be assumed without its External ID (confused deputy) is not used
 * for anything until a validation passes again.
 */
export function refuseInsecure(connection: ConnectionEntity): void {
  if (connection.validationStatus === 'insecure') {
    throw new TetherError(
      'connection-insecure',
      `Connection '${connection.name}' is insecure: its trust policy lets the role be assumed without the External ID (confused deputy), so Tether refuses to use it. Add the External ID condition to the role's trust policy (GET /connections/${connection.name}/trust-policy shows it), then POST /connections/${connection.name}/validate.`,
    );
  }
}

/** The connection's capabilities, `["invoke"]` when unset. */
export function capabilitiesOf(connection: ConnectionEntity): readonly FunctionCapability[] {
  return connection.functions?.capabilities ?? ['invoke'];
}

/** Refuses with a 403 naming the capability and how to grant it. */
export function requireCapability(connection: ConnectionEntity, capability: FunctionCapability): void {
  if (capabilitiesOf(connection).includes(capability)) return;
  const grown = capability === 'deploy' ? '["invoke", "deploy"]' : `[..., "${capability}"]`;
  throw new TetherError(
    'capability-missing',
    `Connection '${connection.name}' does not have the ${capability} capability. Add it with PATCH /connections/${connection.name} {"functions": {"capabilities": ${grown}}}, then re-install the grown permission policy from GET /connections/${connection.name}/trust-policy on the role.`,
    { capability, errors: [{ field: 'functions.capabilities', message: `must include "${capability}"` }] },
  );
}

/** Names a function (or the functions) of the connection for messages: FC's service, SCF's namespace, the region. */
export function describeFunction(connection: ConnectionEntity, functionName?: string): string {
  const name = functionName ? `function ${functionName}` : 'functions';
  const ns = connection.functions?.namespace;
  if (connection.provider === 'aliyun') return `${name} in service ${ns ?? '(none)'}, ${connection.region}`;
  if (connection.provider === 'tencent') return `${name} in namespace ${ns ?? 'default'}, ${connection.region}`;
  return `${name} in ${connection.region}`;
}
