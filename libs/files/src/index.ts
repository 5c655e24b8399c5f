export * from './file-name';
export * from './files-errors';
export * from './files.module';
export * from './files.service';
export * from './media-type';
export * from './missing-attachment';
export * from './stored-file.entity';
export * from './dto/stored-file.view';
