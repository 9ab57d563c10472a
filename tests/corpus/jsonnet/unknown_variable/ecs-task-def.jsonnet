{
  family: nope,
}
