'use strict';
// The compiled addon; node-gyp puts it under build/Release when the package is installed.
module.exports = require('./build/Release/peer_credentials.node');
