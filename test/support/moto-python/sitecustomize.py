# Loaded by the moto server the tests start (PYTHONPATH points here). AWS publishes the EKS-optimized
# image parameters under /aws/service/eks/ and /aws/service/bottlerocket/; moto preloads some public
# /aws/service/ parameters (ami-amazon-linux-latest, ecs) but not these, and refuses PutParameter for
# any /aws/ path. This lets PutParameter store exactly those two published trees, so a test can put
# the parameters AWS would publish; every other name keeps moto's own rules.
PUBLISHED = ("/aws/service/eks/", "/aws/service/bottlerocket/")


def _allow_published_parameters():
    from moto.ssm.models import SimpleSystemManagerBackend

    original = SimpleSystemManagerBackend.put_parameter

    def put_parameter(self, name, *args, **kwargs):
        if not name.startswith(PUBLISHED):
            return original(self, name, *args, **kwargs)
        staged = "/rafter-published" + name
        parameter = original(self, staged, *args, **kwargs)
        versions = self._parameters.pop(staged)
        for version in versions:
            version.name = name
        self._parameters[name] = versions
        return parameter

    SimpleSystemManagerBackend.put_parameter = put_parameter


try:
    _allow_published_parameters()
except ImportError:  # a Python without moto (e.g. another tool on the same PYTHONPATH)
    pass
