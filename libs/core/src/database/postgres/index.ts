import { SessionInstance1764374400001 } from '../migrations/1764374400001-session-instance';
import { AuditEndUser1764547200000 } from '../migrations/1764547200000-audit-end-user';
import { AuditRequests1764633600000 } from '../migrations/1764633600000-audit-requests';
import { IdempotencyKeys1764806400000 } from '../migrations/1764806400000-idempotency-keys';
import { BackgroundRuns1764892800000 } from '../migrations/1764892800000-background-runs';
import { PostgresSchema1764374400000 } from './1764374400000-postgres-schema';
import { GatewayInstances1764460800000 } from './1764460800000-gateway-instances';
import { ToolRunParks1764720000000 } from './1764720000000-tool-run-parks';

/** PostgreSQL's migrations, oldest first: the schema as of its first release, then changes as they come (each also made for SQLite, but for the registry of instances and where tool runs are parked, which only PostgreSQL can share). */
export const POSTGRES_MIGRATIONS = [PostgresSchema1764374400000, SessionInstance1764374400001, GatewayInstances1764460800000, AuditEndUser1764547200000, AuditRequests1764633600000, ToolRunParks1764720000000, IdempotencyKeys1764806400000, BackgroundRuns1764892800000];
