// peerCredentials(fd) -> { pid, uid, gid }: getsockopt(SO_PEERCRED) on a connected AF_UNIX socket.
// The kernel records the credentials of the process that called connect(), so they cannot be
// forged by what the client sends afterwards (unix(7), SO_PEERCRED).
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, const char *what) {
  char message[160];
  snprintf(message, sizeof message, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, message);
  return NULL;
}

static napi_value set_number(napi_env env, napi_value object, const char *name, double value) {
  napi_value number;
  napi_create_double(env, value, &number);
  napi_set_named_property(env, object, name, number);
  return object;
}

static napi_value peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "peerCredentials(fd): fd must be a number");
    return NULL;
  }
  struct ucred cred;
  socklen_t len = sizeof cred;
  memset(&cred, 0, sizeof cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return throw_errno(env, "getsockopt(SO_PEERCRED)");
  if (len != sizeof cred) {
    napi_throw_error(env, NULL, "getsockopt(SO_PEERCRED) answered a short struct ucred");
    return NULL;
  }
  napi_value out;
  napi_create_object(env, &out);
  set_number(env, out, "pid", cred.pid);
  set_number(env, out, "uid", cred.uid);
  return set_number(env, out, "gid", cred.gid);
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "peerCredentials", NAPI_AUTO_LENGTH, peer_credentials, NULL, &fn);
  napi_set_named_property(env, exports, "peerCredentials", fn);
  return exports;
}
