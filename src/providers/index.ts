export * from './cloud-function-provider';
export * from './deployment';
export * from './provider-error';
export * from './platform-identity';
export * from './provider-registry';
export * from './providers.module';
export * from './problem-extras';
