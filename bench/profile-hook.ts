import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * Preloaded into a profiled server (`node -r profile-hook.js`): the first SIGUSR2 starts V8's CPU
 * profiler, the second stops it and writes the profile to BENCH_PROFILE_FILE. So a profile covers the
 * load alone, not the start-up (module loading, migrations check), which `--cpu-prof` would include.
 */
const session = new Session();
session.connect();
let profiling = false;

process.on('SIGUSR2', () => {
  if (!profiling) {
    profiling = true;
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  profiling = false;
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(process.env.BENCH_PROFILE_FILE!, JSON.stringify(result.profile));
  });
});
