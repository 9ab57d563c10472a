{
  family: 'web',
  cpu: ,
}
