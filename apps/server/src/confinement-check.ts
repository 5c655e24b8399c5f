import { Injectable } from '@nestjs/common';
import { AgentConfinement } from '@clawdforge/runners';

/**
 * Server only (the admin CLI must still start to report it): refuses to serve when a setting gives
 * agents a shell and no OS sandbox holds it, unless ALLOW_UNSANDBOXED_AGENTS=1. A provider, so the
 * refusal comes while the application is created and prints as one configuration line.
 */
@Injectable()
export class ConfinementCheck {
  constructor(confinement: AgentConfinement) {
    confinement.assertServable();
  }
}
