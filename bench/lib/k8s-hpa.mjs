// What Kubernetes' HorizontalPodAutoscaler would do with its defaults on the autoscale bench's load,
// computed from its documented algorithm (not run). The model, with the sources it follows:
//
// - The HPA controller syncs every 15 s (kube-controller-manager --horizontal-pod-autoscaler-sync-period).
// - metrics-server scrapes each kubelet every 15 s (--metric-resolution default 15s); a pod's CPU
//   sample is the rate between two scrapes, so it is the average over the 15 s before the scrape,
//   timestamped at the scrape, and a pod has no sample until it has been scraped twice.
// - desiredReplicas = ceil(currentReplicas * currentUtilization / targetUtilization), no change
//   within the 0.1 tolerance (--horizontal-pod-autoscaler-tolerance). Utilization is relative to the
//   pod's CPU request. Pods without a sample: 0 % when scaling up, 100 % when scaling down. Pods
//   still initializing (started less than --horizontal-pod-autoscaler-cpu-initialization-period,
//   5 min, ago whose sample window began before they were ready) are set aside, and count as 0 %
//   when the others say scale up. The algorithm, step by step, as in pkg/controller/podautoscaler/
//   replica_calculator.go (GetResourceReplicas / calcPlainMetricReplicas).
// - Default behavior (autoscaling/v2): scale-up stabilization 0 s, at most max(+100 %, +4 pods) per
//   15 s; scale-down stabilization 300 s (the highest recommendation of the last 300 s wins), at
//   most -100 % per 15 s. Clamped to [minReplicas, maxReplicas].
//
// The load is the bench's: each running replica burns its whole CPU limit (= request) while the
// load is on and ~0 otherwise. A new pod runs `podStartMs` after the decision that asked for it.

const SYNC_S = 15;
const SCRAPE_S = 15;
const WINDOW_S = 15;
const TOLERANCE = 0.1;
const CPU_INIT_PERIOD_S = 300;
const DOWN_STABILIZATION_S = 300;

/**
 * One run of the model. `loadOffAt` (s) is when the load stops (it starts at 0); phases place the
 * HPA's sync and metrics-server's scrapes relative to the load start. Times in seconds.
 */
export function simulateHpa({ target = 50, min = 1, max = 4, loadOffAt = 120, podStartS = 1, syncPhase = 0, scrapePhase = 0, until = 600, trace = false }) {
  // Pod 1 has been running long before the load (outside its initialization period).
  let pods = [{ id: 1, start: -3600 }];
  let nextId = 2;
  const recommendations = []; // {t, value}
  const pending = []; // pods asked for, not yet running: {at}
  const log = [];
  const events = [];
  const loadOn = (a, b) => Math.max(0, Math.min(b, loadOffAt) - Math.max(a, 0));

  const lastScrapeAtOrBefore = (t) => {
    const k = Math.floor((t - scrapePhase) / SCRAPE_S);
    return scrapePhase + k * SCRAPE_S;
  };

  for (let t = syncPhase; t <= until; t += SYNC_S) {
    // Pods asked for earlier that are running by now.
    for (const p of pending.splice(0).filter((x) => x.at <= t ? true : (pending.push(x), false))) pods.push({ id: nextId++, start: p.at });
    const current = pods.length + pending.length;
    const s = lastScrapeAtOrBefore(t);
    const samples = pods.map((pod) => {
      // A sample needs two scrapes while the pod runs.
      if (pod.start > s - SCRAPE_S) return { pod, missing: true };
      const usage = (loadOn(s - WINDOW_S, s) / WINDOW_S) * 100; // percent of request
      const initializing = pod.start + CPU_INIT_PERIOD_S > t && s < pod.start + WINDOW_S;
      return { pod, usage, unready: initializing };
    });
    const counted = samples.filter((x) => !x.missing && !x.unready);
    const missing = samples.filter((x) => x.missing);
    const unready = samples.filter((x) => x.unready);
    let desired = current;
    let why;
    if (counted.length === 0) {
      why = 'no usable samples: no change';
    } else {
      const usageRatio = counted.reduce((a, x) => a + x.usage, 0) / counted.length / target;
      const rebalanceIgnored = unready.length > 0 && usageRatio > 1;
      if (!rebalanceIgnored && missing.length === 0) {
        if (Math.abs(1 - usageRatio) <= TOLERANCE) {
          why = `ratio ${usageRatio.toFixed(2)} within tolerance`;
        } else {
          desired = Math.ceil(usageRatio * counted.length);
          why = `ceil(${counted.length} x ${usageRatio.toFixed(2)}) = ${desired}`;
        }
      } else {
        const filled = [...counted.map((x) => x.usage), ...missing.map(() => (usageRatio < 1 ? 100 : 0)), ...(rebalanceIgnored ? unready.map(() => 0) : [])];
        const newRatio = filled.reduce((a, b) => a + b, 0) / filled.length / target;
        const flips = (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1);
        if (Math.abs(1 - newRatio) <= TOLERANCE || flips) {
          why = `ratio ${usageRatio.toFixed(2)} over ${counted.length} sampled; with ${missing.length} missing/${rebalanceIgnored ? unready.length : 0} initializing at ${usageRatio < 1 ? '100' : '0'} %: ${newRatio.toFixed(2)}: no change`;
        } else {
          const n = Math.ceil(newRatio * filled.length);
          desired = (newRatio < 1 && n > current) || (newRatio > 1 && n < current) ? current : n;
          why = `ratio ${usageRatio.toFixed(2)}; with ${missing.length} missing/${rebalanceIgnored ? unready.length : 0} initializing filled in: ${newRatio.toFixed(2)} -> ceil(${filled.length} x ${newRatio.toFixed(2)}) = ${n}`;
        }
      }
    }
    const recommendation = Math.min(max, Math.max(min, desired));
    recommendations.push({ t, value: recommendation });
    // Stabilization: up window 0 s (the current recommendation), down window 300 s (the highest).
    const downRec = Math.max(...recommendations.filter((r) => r.t > t - DOWN_STABILIZATION_S).map((r) => r.value));
    let next = current;
    if (next < recommendation) next = recommendation;
    if (next > downRec) next = downRec;
    // Rate limits: up max(+100 %, +4) per 15 s, down -100 % per 15 s; never beyond the bounds.
    next = Math.min(next, Math.max(current * 2, current + 4), max);
    next = Math.max(next, min);
    if (next > current) {
      for (let i = current; i < next; i++) pending.push({ at: t + podStartS });
      events.push({ t, from: current, to: next, runningAt: t + podStartS });
    } else if (next < current) {
      pods = pods.sort((a, b) => a.start - b.start).slice(0, next);
      events.push({ t, from: current, to: next, runningAt: t });
    }
    if (trace && (t <= loadOffAt + 60 || next !== current || (t >= loadOffAt + DOWN_STABILIZATION_S - 30 && t <= loadOffAt + DOWN_STABILIZATION_S + 45))) {
      log.push({ t, scrape: s, replicas: current, sampled: counted.map((x) => Math.round(x.usage)), missing: missing.length, initializing: unready.length, rule: why, recommendation, downWindowMax: downRec, scaleTo: next });
    }
    if (t > loadOffAt && next === min && current === min && events.some((e) => e.to === min && e.t > loadOffAt)) break;
  }
  const ups = events.filter((e) => e.to > e.from);
  const secondRunning = ups.length > 0 ? ups[0].runningAt : undefined;
  const lastUp = ups.filter((e) => e.t < loadOffAt).at(-1);
  const backToMin = events.find((e) => e.t > loadOffAt && e.to === min);
  return {
    secondReplicaRunningS: secondRunning,
    settledS: lastUp?.runningAt,
    settledCount: lastUp?.to,
    backToMinAfterStopS: backToMin ? backToMin.t - loadOffAt : undefined,
    events,
    log,
  };
}

/** The model over a grid of sync and scrape phases (the load starts at a random moment for both). */
export function hpaOverPhases(options, steps = 10) {
  const runs = [];
  for (let i = 0; i < steps; i++) {
    for (let j = 0; j < steps; j++) {
      runs.push(simulateHpa({ ...options, syncPhase: (i * SYNC_S) / steps, scrapePhase: (j * SCRAPE_S) / steps }));
    }
  }
  return runs;
}
