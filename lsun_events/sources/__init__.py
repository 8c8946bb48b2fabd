"""Edge in: national exports (SIECLE/BEE, STS-web) and the S3E web service, read into records."""
