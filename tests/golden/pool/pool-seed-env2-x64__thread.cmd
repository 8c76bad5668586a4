!pool fffffa80`020da060 2
