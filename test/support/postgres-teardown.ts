import { tearDown } from './postgres-pass';

export default tearDown;
