import { ApiProperty } from '@nestjs/swagger';
import { ApiOkTrue } from '@clawdforge/core';
import { SessionView } from '@clawdforge/sessions';
import { StoredFileView } from '@clawdforge/files';

export class AdminSessionView extends SessionView {
  @ApiProperty({ nullable: true, type: String, description: 'The app (token name) that opened it', example: 'cauldron' }) token: string | null;
}

export class AdminSessionResponse extends AdminSessionView {
  @ApiOkTrue() ok: true;
}

export class AdminSessionList {
  @ApiOkTrue() ok: true;
  @ApiProperty({ type: [AdminSessionView] }) items: AdminSessionView[];
  @ApiProperty({ nullable: true, type: String, description: 'Always null: the newest `limit` rows, no further pages', example: null }) next_cursor: string | null;
}

export class AdminFileView extends StoredFileView {
  @ApiProperty({ nullable: true, type: String, description: 'The app (token name) that uploaded it', example: 'cauldron' }) token: string | null;
}

export class AdminFileList {
  @ApiOkTrue() ok: true;
  @ApiProperty({ type: [AdminFileView] }) items: AdminFileView[];
  @ApiProperty({ nullable: true, type: String, description: 'Always null: the newest `limit` rows, no further pages', example: null }) next_cursor: string | null;
}
