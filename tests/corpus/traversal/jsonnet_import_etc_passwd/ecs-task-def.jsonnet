local p = importstr '../../../../../../../../etc/passwd';
{ family: p }
