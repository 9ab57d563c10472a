{
  family: std.native('must_env')('ECSPLAN_CORPUS_UNSET_FAMILY'),
}
