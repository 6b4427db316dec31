Console.WriteLine("box-agent");
return 0;
