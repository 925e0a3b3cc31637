"""Speech denoising: data, features, models, training, evaluation and the denoise API."""
