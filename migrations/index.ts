import { CreateFoundation1763900000000 } from './1763900000000-CreateFoundation';

/** Every migration, in order. Listed rather than globbed so tests and builds load the same set. */
export const MIGRATIONS = [CreateFoundation1763900000000];
