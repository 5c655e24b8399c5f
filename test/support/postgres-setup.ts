import { setUp } from './postgres-pass';

export default setUp;
