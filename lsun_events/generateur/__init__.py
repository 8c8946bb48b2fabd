"""Generator of realistic SIECLE/BEE and STS-web export sets, for tests, benchmarks and the demo."""
