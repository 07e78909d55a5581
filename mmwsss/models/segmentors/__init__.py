from .affinity_net import AffinityNet
from .wsss_encoder_decoder import WSSSEncoderDecoder

__all__ = ['AffinityNet', 'WSSSEncoderDecoder']
