import { endOfTest } from '../helpers/until';

// A wait on state (test/helpers/until.ts) lives no longer than its test: when a test times out,
// the polling it started stops instead of keeping the Jest worker busy and alive.
afterEach(() => endOfTest());
