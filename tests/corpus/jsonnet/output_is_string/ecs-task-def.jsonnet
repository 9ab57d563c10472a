'web'
