// The build failed, and for the skew: the line-up rule names the held-back artifact.
def log = new File(basedir, 'build.log').text
assert log.contains('BannedDependencies')
assert log.contains('io.opentelemetry:opentelemetry-api:jar:1.66.0')
