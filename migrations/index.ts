import { CreateFoundation1763900000000 } from './1763900000000-CreateFoundation';
import { CreateAuditEvents1763900000001 } from './1763900000001-CreateAuditEvents';
import { CreateConnections1763900000002 } from './1763900000002-CreateConnections';
import { ChainAuditEvents1763900000003 } from './1763900000003-ChainAuditEvents';
import { CreateCredentialLeases1763900000004 } from './1763900000004-CreateCredentialLeases';
import { AddRotationAndPosture1763900000005 } from './1763900000005-AddRotationAndPosture';
import { CreateFunctionDeployments1763900000006 } from './1763900000006-CreateFunctionDeployments';
import { AddTokenProvenance1763900000007 } from './1763900000007-AddTokenProvenance';

/** Every migration, in order. Listed rather than globbed so tests and builds load the same set. */
export const MIGRATIONS = [
  CreateFoundation1763900000000,
  CreateAuditEvents1763900000001,
  CreateConnections1763900000002,
  ChainAuditEvents1763900000003,
  CreateCredentialLeases1763900000004,
  AddRotationAndPosture1763900000005,
  CreateFunctionDeployments1763900000006,
  AddTokenProvenance1763900000007,
];
