from .wsss_data_preprocessor import WSSSDataPreProcessor

__all__ = ['WSSSDataPreProcessor']
