{
  family: error 'boom',
}
