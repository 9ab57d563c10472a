{
  region: 'ap-northeast-1',
  service: 'web'
  cluster: 'c',
}
