import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'clawdforge:public';

/** Open to any caller the IP allowlist admits: no token, no audit row. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
