// Where SO_PEERCRED does not exist the module exports nothing; the daemon then treats every
// socket client as unknown (see src/daemon/api/peer-credentials.ts).
#include <node_api.h>

NAPI_MODULE_INIT() {
  return exports;
}
