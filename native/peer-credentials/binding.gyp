{
  'targets': [ {
    'target_name': 'peer_credentials',
    'sources': [ 'peer_credentials.c' ],
    'conditions': [ [ 'OS!="linux"', { 'sources!': [ 'peer_credentials.c' ], 'sources': [ 'unsupported.c' ] } ] ]
  } ]
}
