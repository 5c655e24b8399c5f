import { InitialSchema1732406400000 } from './1732406400000-initial-schema';
import { StoredFiles1732492800000 } from './1732492800000-stored-files';
import { AgentSessions1732579200000 } from './1732579200000-agent-sessions';
import { AuditToolsRefused1764115200000 } from './1764115200000-audit-tools-refused';
import { TokenPolicyAndUsage1764201600000 } from './1764201600000-token-policy-and-usage';
import { SessionLogin1764288000000 } from './1764288000000-session-login';
import { SessionInstance1764374400001 } from './1764374400001-session-instance';
import { AuditEndUser1764547200000 } from './1764547200000-audit-end-user';
import { AuditRequests1764633600000 } from './1764633600000-audit-requests';
import { IdempotencyKeys1764806400000 } from './1764806400000-idempotency-keys';
import { BackgroundRuns1764892800000 } from './1764892800000-background-runs';

/** Every migration, oldest first. Listed as classes so the same list works from source and from dist. */
export const MIGRATIONS = [
  InitialSchema1732406400000,
  StoredFiles1732492800000,
  AgentSessions1732579200000,
  AuditToolsRefused1764115200000,
  TokenPolicyAndUsage1764201600000,
  SessionLogin1764288000000,
  SessionInstance1764374400001,
  AuditEndUser1764547200000,
  AuditRequests1764633600000,
  IdempotencyKeys1764806400000,
  BackgroundRuns1764892800000,
];
