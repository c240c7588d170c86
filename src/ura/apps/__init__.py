"""Django apps, each with the same anatomy: models, services, selectors, access, views, api."""
