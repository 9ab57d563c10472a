{
  family: '{{ nosuch }}',
}
