local f(x) = f(x + 1);
{
  family: f(0),
}
