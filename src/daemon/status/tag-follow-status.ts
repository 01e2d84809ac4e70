// What `status` shows of a followed image tag: the running and latest digests, the last check and
// the last update or rollback, from what the tag follower keeps in the project's record.
import type { UpdatePolicy } from '../../compose/model.js';
import type { TagFollowStatus } from '../../protocol/api.js';
import type { TagFollowState } from '../core/tag-follow.js';

export function tagFollowStatus(state: TagFollowState, policy: UpdatePolicy['policy']): TagFollowStatus {
  const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  const { runningDigest, latestDigest, checkError, last } = state;
  return {
    policy,
    tag: state.image,
    ...(runningDigest ? { runningDigest } : {}),
    ...(latestDigest ? { latestDigest } : {}),
    updateAvailable: latestDigest !== undefined && latestDigest !== runningDigest && !state.rejected.includes(latestDigest),
    ...(state.checkedAt !== undefined ? { checkedAt: iso(state.checkedAt) } : {}),
    ...(state.nextCheckAt !== undefined ? { nextCheckAt: iso(state.nextCheckAt) } : {}),
    ...(checkError ? { checkError } : {}),
    rejected: [...state.rejected],
    ...(last ? { last: { state: last.state, ...(last.from ? { from: last.from } : {}), to: last.to, at: new Date(last.at).toISOString(), message: last.message } } : {}),
  };
}
