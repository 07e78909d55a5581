from .wsss_encoder_decoder import WSSSEncoderDecoder

__all__ = ['WSSSEncoderDecoder']
