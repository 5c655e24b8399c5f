import { ApiProperty } from '@nestjs/swagger';
import { ApiOkTrue } from '@clawdforge/core';
import type { StoredFile } from '../stored-file.entity';

export class StoredFileView {
  @ApiProperty({ description: 'Pass it in POST /run `files`', example: 'ff_Jq3v9yXkzQm1b2c3d4e5f6g7h8i9j0kL' }) file_token: string;
  @ApiProperty({ description: 'The uploaded filename, sanitised', example: 'receipt.png' }) name: string;
  @ApiProperty({ example: 12345 }) size: number;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }) sha256: string;
  @ApiProperty({ description: 'Detected from the content', example: 'image/png' }) media_type: string;
  @ApiProperty({ example: '2026-11-24T14:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-24T15:00:00.000Z' }) expires_at: string;

  static of(file: StoredFile): StoredFileView {
    return {
      file_token: file.fileToken,
      name: file.originalName,
      size: file.size,
      sha256: file.sha256,
      media_type: file.mediaType,
      created_at: file.createdAt.toISOString(),
      expires_at: file.expiresAt.toISOString(),
    };
  }
}

export class UploadedFileResponse extends StoredFileView {
  @ApiOkTrue() ok: true;
  @ApiProperty({ example: 3600 }) ttl_secs: number;
}

export class DeletedFileResponse {
  @ApiOkTrue() ok: true;
  @ApiProperty({ example: 'ff_Jq3v9yXkzQm1b2c3d4e5f6g7h8i9j0kL' }) file_token: string;
  @ApiProperty({ example: true }) deleted: boolean;
}

export class StoredFilePage {
  @ApiOkTrue() ok: true;
  @ApiProperty({ type: [StoredFileView] }) items: StoredFileView[];
  @ApiProperty({ nullable: true, type: String, example: null }) next_cursor: string | null;
}
