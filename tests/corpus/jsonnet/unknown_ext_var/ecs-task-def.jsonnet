{
  family: std.extVar('nope'),
}
