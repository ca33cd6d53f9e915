/**
 * The real-sshd fixture for integration tests. The implementation lives in bench/ so that the
 * benchmark can run SSH scenarios against the same server.
 */
export { SSHD_PATH, sshdSkipReason, startSshd, type SshdFixture } from '../../bench/sshd-fixture.js';
