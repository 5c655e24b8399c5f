import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { isoTimestamp } from '@clawdforge/core';

/** An uploaded file: its bytes live under FILES_DIR as `storageName`, never under a client-chosen name. */
@Entity('stored_files')
export class StoredFile {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'text', name: 'file_token' })
  fileToken: string;

  @Column({ type: 'integer', name: 'owner_token_id' })
  ownerTokenId: number;

  /** The client's filename, sanitised; metadata only. */
  @Column({ type: 'text', name: 'original_name' })
  originalName: string;

  /** Detected from the content, not taken from the client. */
  @Column({ type: 'text', name: 'media_type' })
  mediaType: string;

  @Column({ type: 'integer' })
  size: number;

  @Column({ type: 'text' })
  sha256: string;

  @Column({ type: 'text', name: 'storage_name' })
  storageName: string;

  @Column({ type: 'text', name: 'created_at', transformer: isoTimestamp })
  createdAt: Date;

  @Column({ type: 'text', name: 'expires_at', transformer: isoTimestamp })
  expiresAt: Date;
}
