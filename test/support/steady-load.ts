// A steady client for tests behind the balancer: one request after another (4 at a time) until
// stopped; counts answers and failures.
import { httpGet } from './http.js';

export function steadyLoad(port: number) {
  const answers: string[] = [];
  const failures: string[] = [];
  let stop = false;
  const worker = async () => {
    for (let i = 0; !stop && i < 20_000; i++) {
      try {
        answers.push(await httpGet(port));
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  const done = Promise.all([worker(), worker(), worker(), worker()]);
  return { answers, failures, stop: async () => ((stop = true), await done) };
}
