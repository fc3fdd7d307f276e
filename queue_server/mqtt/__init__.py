"""The hall's MQTT adapter: broker config, the queue server's MQTT side, a client library.

paho-mqtt is imported only inside this package (one door per outside library).
"""
